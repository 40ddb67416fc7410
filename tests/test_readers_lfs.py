"""Git LFS pointer parsing and resolution through a real .git/lfs/objects layout."""
from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from conftest_checkpoints import lfs_pointer, store_lfs_object  # noqa: E402

from weightgate.errors import ReadError  # noqa: E402
from weightgate.readers import lfs  # noqa: E402

OID = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"


def test_parse_valid():
    data = f"version https://git-lfs.github.com/spec/v1\noid sha256:{OID}\nsize 12345\n".encode()
    assert lfs.looks_like_pointer(data, len(data))
    assert lfs.parse_pointer(data, "p") == lfs.LfsPointer(OID, 12345)


def test_extension_keys_sorted_are_accepted():
    data = (f"version https://git-lfs.github.com/spec/v1\next-0-foo sha256:{OID}\n"
            f"oid sha256:{OID}\nsize 0\n").encode()
    assert lfs.parse_pointer(data, "p").size == 0


def test_not_a_pointer():
    assert not lfs.looks_like_pointer(b"GGUF\x03\x00", 6)
    assert not lfs.looks_like_pointer(b"version https://git-lfs.github.com/spec/v1\n", 5000)


V = "version https://git-lfs.github.com/spec/v1\n"
MALFORMED = {
    "no oid": V + "size 12\n",
    "no size": V + f"oid sha256:{OID}\n",
    "short oid": V + "oid sha256:abc\nsize 1\n",
    "upper oid": V + f"oid sha256:{OID.upper()}\nsize 1\n",
    "md5 oid": V + f"oid md5:{OID}\nsize 1\n",
    "negative size": V + f"oid sha256:{OID}\nsize -1\n",
    "plus size": V + f"oid sha256:{OID}\nsize +1\n",
    "leading zero": V + f"oid sha256:{OID}\nsize 012\n",
    "hex size": V + f"oid sha256:{OID}\nsize 0x10\n",
    "unsorted": V + f"size 1\noid sha256:{OID}\n",
    "duplicate": V + f"oid sha256:{OID}\noid sha256:{OID}\nsize 1\n",
    "no final newline": V + f"oid sha256:{OID}\nsize 1",
    "crlf": V.replace("\n", "\r\n") + f"oid sha256:{OID}\r\nsize 1\r\n",
    "garbage line": V + f"oid sha256:{OID}\nsize 1\nthis is not a key value\n",
    "empty line": V + f"oid sha256:{OID}\n\nsize 1\n",
    "wrong version": "version https://git-lfs.github.com/spec/v2\n" + f"oid sha256:{OID}\nsize 1\n",
    "too big": V + f"oid sha256:{OID}\nsize 1\n" + "x-pad " + "a" * 1100 + "\n",
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed(name):
    with pytest.raises(ReadError):
        lfs.parse_pointer(MALFORMED[name].encode(), "p")


def test_not_utf8():
    with pytest.raises(ReadError):
        lfs.parse_pointer(V.encode() + b"oid sha256:\xff\nsize 1\n", "p")


def test_resolve_through_git_layout(tmp_path):
    content = b"hello weights"
    ptr_bytes, oid = lfs_pointer(content)
    objects = store_lfs_object(tmp_path / ".git", content)
    assert os.path.isfile(os.path.join(objects, oid[:2], oid[2:4], oid))
    ptr = lfs.parse_pointer(ptr_bytes, "m.safetensors")
    path, why = lfs.resolve(ptr, [str(tmp_path / "nowhere"), objects])
    assert path == lfs.object_path(objects, oid) and why == ""
    f, size = lfs.open_object(path, "m.safetensors")
    with f:
        assert f.read() == content and size == len(content)


def test_resolve_missing_and_partial(tmp_path):
    content = b"full object"
    ptr = lfs.parse_pointer(lfs_pointer(content)[0], "m")
    assert lfs.resolve(ptr, [str(tmp_path)])[0] is None
    objects = store_lfs_object(tmp_path / ".git", content[:4])  # wrong bytes, wrong size
    os.rename(lfs.object_path(objects, lfs.parse_pointer(lfs_pointer(content[:4])[0], "m").oid),
              os.path.join(tmp_path, "tmp"))
    d = os.path.dirname(lfs.object_path(objects, ptr.oid))
    os.makedirs(d, exist_ok=True)
    os.rename(os.path.join(tmp_path, "tmp"), lfs.object_path(objects, ptr.oid))
    path, why = lfs.resolve(ptr, [objects])
    assert path is None and "incomplete" in why
