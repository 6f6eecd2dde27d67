window.fetch ('x');
