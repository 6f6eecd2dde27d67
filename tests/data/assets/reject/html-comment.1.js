var a = 1;
// <!-- x
