navigator.sendBeacon('x', 'y');
