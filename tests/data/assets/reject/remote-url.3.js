var a = 'https://www.rfc-editor.org/rfc/rfc6455.txt';
