import('./mod.js').then(function () {});
