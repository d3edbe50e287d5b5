"""Schema migrations, one folder per database engine, numbered 0001, 0002, ..."""
