"""Start-up work kept off the common path reads the same as the slow path it replaces."""
import pytest


@pytest.mark.parametrize("argv", [
    ["check"], ["check", "."], ["check", "a", "b c", "--exit-zero"], ["check", "--format", "json", "m"],
    ["check", "--output-format=sarif", "--output", "r.sarif", "x"], ["check", "-q", "--statistics", "-o", "f.txt"],
    ["check", "--select", "relabel-forbidden,missing-notice", "--ignore=x", "--config", "c.toml", "p"],
    ["check", "--ref", "HEAD~1", "--changed-since=main", "--staged", "--debug", "--hf-cache", "/tmp/hub"],
    ["check", "--show-lineage", "m"],
    ["check", "--exit-zero", "a", "b"], ["check", "a", "--format", "github"], ["check", "--format=text", "--format",
                                                                               "concise", "check"],
])
def test_check_arguments_read_without_argparse_mean_what_argparse_reads(argv):
    from weightgate import cli

    quick = cli._quick_check_args(argv)
    assert quick is not None
    assert vars(quick) == vars(cli._parser("check").parse_args(argv))


@pytest.mark.parametrize("argv", [
    ["check", "--help"], ["check", "-h"], ["check", "--exit"], ["check", "--format", "xml"], ["check", "--config"],
    ["check", "a", "--exit-zero", "b"], ["check", "--", "-odd"], ["check", "-qo", "f"], ["check", "-ofile"],
    ["check", "-o=f"], ["check", "--config", "-q"], ["check", "--config="], ["--version"], ["fix", "."], [],
    ["rules"], ["check", "-1"],
])
def test_unusual_check_arguments_go_to_argparse(argv):
    from weightgate import cli

    assert cli._quick_check_args(argv) is None


def test_the_common_check_imports_no_argument_parser_and_no_lock_reader(tmp_path):
    import subprocess
    import sys

    (tmp_path / "README.md").write_text("---\nlicense: apache-2.0\nbase_model: mistralai/Mistral-7B-v0.1\n---\n# M\n")
    code = ("import sys, io, contextlib; from weightgate.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(['check', sys.argv[1], '--exit-zero'])\n"
            "print('argparse' in sys.modules, 'weightgate.lockfile' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert r.stdout.split() == ["False", "False"]


def _staged_repo(tmp_path, files):
    from test_integration_git import commit, git

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    commit(repo, files, "one")
    return repo


def test_index_files_as_on_disk_are_read_from_the_work_tree_without_git(tmp_path):
    from weightgate.gitsource import GitSource

    repo = _staged_repo(tmp_path, {"m/README.md": "---\nlicense: mit\n---\n# M\n", "m/config.json": "{}",
                                   "m/empty.txt": ""})
    source = GitSource(str(repo))
    try:
        assert source.read_bytes("m/README.md") == b"---\nlicense: mit\n---\n# M\n"
        assert source.size("m/config.json") == 2
        assert source._last_copy[0] == "m/config.json"  # sized, not yet read: kept for the read that follows
        assert source.read_bytes("m/config.json") == b"{}" and source._last_copy is None  # one copy at most
        assert source.read_bytes("m/empty.txt") == b""
        assert source._batch.procs == {}  # no `git cat-file` was started
    finally:
        source.close()


def test_what_differs_from_the_index_is_read_from_git(tmp_path):
    """Edited after staging, a line-ending filter, a FIFO in the file's place, a file over the cap: the index's
    bytes, never the work tree's."""
    import os

    from test_integration_git import git
    from weightgate.gitsource import WORK_TREE_COPY_CAP, GitSource

    big = "x" * (WORK_TREE_COPY_CAP + 10)
    repo = _staged_repo(tmp_path, {"edited.md": "staged\n", "crlf.txt": "a\nb\n", "fifo": "regular\n",
                                   "big.txt": big, ".gitattributes": "crlf.txt text eol=crlf\n"})
    (repo / "edited.md").write_text("edited on disk\n")
    os.remove(repo / "crlf.txt")
    git(repo, "checkout", "--", "crlf.txt")
    assert (repo / "crlf.txt").read_bytes() == b"a\r\nb\r\n"
    if hasattr(os, "mkfifo"):
        os.remove(repo / "fifo")
        os.mkfifo(repo / "fifo")
    source = GitSource(str(repo))
    try:
        assert source.read_bytes("edited.md") == b"staged\n"
        assert source.read_bytes("crlf.txt") == b"a\nb\n"
        assert source.read_bytes("fifo") == b"regular\n"
        assert source.size("big.txt") == len(big) and source.read_bytes("big.txt", 4) == b"xxxx"
    finally:
        source.close()


def test_licence_file_names_match_the_same_without_ignorecase_when_ascii():
    import random
    import string

    from weightgate import discover

    names = ["license", "LICENSE.md", "Llama2-License.txt", "GEMMA_TERMS_OF_USE.md", "use_policy.md", "notice",
             "COPYING.LESSER", "acceptable-use-policy.txt", "licenses", "README.md", "model.license", "x-licence"]
    rng = random.Random(16)
    alphabet = string.ascii_letters + string.digits + "._-"
    names += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) + rng.choice(["", "license", "-use"])
              for _ in range(2000)]
    for name in names:
        low = name.lower()
        assert bool(discover._LICENSE_NAME_ASCII.search(low)) == bool(discover._LICENSE_NAME.search(low)), name
    assert discover.is_license_file("LICENſE") == bool(discover._LICENSE_NAME.search("licenſe"))


def test_a_callers_main_leaves_the_garbage_collector_alone(tmp_path, capsys):
    import gc

    from weightgate.cli import main

    (tmp_path / "README.md").write_text("---\nlicense: apache-2.0\nbase_model: mistralai/Mistral-7B-v0.1\n---\n# M\n")
    before = gc.get_threshold()
    main(["check", str(tmp_path), "--exit-zero"])
    assert gc.get_threshold() == before


def test_typographic_quotes_and_dashes_are_normalised_without_unicodedata():
    import subprocess
    import sys

    code = ("import sys; from weightgate.text import normalise\n"
            "print(normalise('Licensed under the Apache License (the \u201cLicense\u201d) \u2014 \u00a9 2024'))\n"
            "print('unicodedata' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, encoding="utf-8")
    assert r.stdout.split("\n")[:2] == ["licensed under the apache license (the license) - (c) 2024", "False"]


@pytest.mark.parametrize("text, expected", [
    ("\uff02Full\uff02 width \uff0a", "full width"), ("caf\u00e9 \u2011 \ufb01ne", "café - fine"),
    ("\u2018ok\u2019 \u2474", "ok (1)"), ("**Bold**\u00a0text", "bold text"),
])
def test_normalise_still_applies_nfkc_where_it_changes_something(text, expected):
    from weightgate.text import normalise

    assert normalise(text) == expected
