"""Start-up work kept off the common path reads the same as the slow path it replaces."""
import pytest


@pytest.mark.parametrize("argv", [
    ["check"], ["check", "."], ["check", "a", "b c", "--exit-zero"], ["check", "--format", "json", "m"],
    ["check", "--output-format=sarif", "--output", "r.sarif", "x"], ["check", "-q", "--statistics", "-o", "f.txt"],
    ["check", "--select", "relabel-forbidden,missing-notice", "--ignore=x", "--config", "c.toml", "p"],
    ["check", "--ref", "HEAD~1", "--changed-since=main", "--staged", "--debug", "--hf-cache", "/tmp/hub"],
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


def test_the_common_check_imports_no_argument_parser(tmp_path):
    import subprocess
    import sys

    (tmp_path / "README.md").write_text("---\nlicense: apache-2.0\n---\n# M\n")
    code = ("import sys, io, contextlib; from weightgate.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(['check', sys.argv[1], '--exit-zero'])\n"
            "print('argparse' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "False"
