var a = 1;
fetch('data.json');
