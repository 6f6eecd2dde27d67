a.href = '//evil.example/x';
