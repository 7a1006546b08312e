// A shared library that is not a reward plugin: it exports neither registration symbol.
extern "C" int some_unrelated_function() { return 42; }
