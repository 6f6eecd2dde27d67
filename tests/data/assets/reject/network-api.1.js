var x = new XMLHttpRequest();
