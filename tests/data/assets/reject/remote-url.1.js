var u = 'https://example.com/x.js';
