var a = 1;
var s = '</SCRIPT><script>alert(1)';
