var w = new Worker('w.js');
