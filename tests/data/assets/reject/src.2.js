var s = document.createElement('script');
s.setAttribute('src', name);
