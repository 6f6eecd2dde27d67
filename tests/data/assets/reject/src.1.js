var img = document.createElement('img');
img.src = 'pixel.png';
