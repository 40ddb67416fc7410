"""Header-only readers for model files.

Each reader takes a binary stream (and the file's size) and returns plain data. They read only the metadata
part of a file, never tensor data, so a 20 GiB checkpoint costs the same as a 1 KiB one. On any malformed
input they raise weightgate.errors.ReadError and nothing else.
"""
