"""CC 4.0 §3(a)(1)(C) accepts "the URI or hyperlink to" the licence: a link satisfies the copy duty."""
from __future__ import annotations

import pytest

from conftest import card, check_json, where, write_tree

BASE = "cc-base/model-7b"



def _config(lic: str) -> str:
    return f'[tool.weightgate.models]\n"{BASE}" = "{lic}"\n'


@pytest.mark.parametrize("lic", ["cc-by-sa-4.0", "cc-by-nc-4.0", "cc-by-nc-sa-4.0", "cc-by-4.0"])
def test_card_declaring_the_cc_id_links_to_it(tmp_path, lic):
    write_tree(tmp_path, {"pyproject.toml": _config(lic),
                          "README.md": card(f"license: {lic}\nbase_model: {BASE}")})
    assert where(check_json(tmp_path), "missing-license-copy") == set()


def test_license_link_to_the_cc_url_counts(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": _config("cc-by-nc-4.0"),
                          "README.md": card("license: other\nlicense_name: cc-by-nc\n"
                                            "license_link: https://creativecommons.org/licenses/by-nc/4.0/\n"
                                            f"base_model: {BASE}")})
    assert where(check_json(tmp_path), "missing-license-copy") == set()


def test_no_link_and_no_copy_is_still_reported(tmp_path):
    # the card relabels to a licence that does not link to the base's CC licence
    write_tree(tmp_path, {"pyproject.toml": _config("cc-by-sa-4.0"),
                          "README.md": card(f"license: mit\nbase_model: {BASE}")})
    assert where(check_json(tmp_path), "missing-license-copy")


def test_a_link_never_satisfies_a_licence_that_wants_its_text(tmp_path):
    write_tree(tmp_path, {"README.md": card("license: llama2\nbase_model: meta-llama/Llama-2-7b-hf\n"
                                            "license_link: https://ai.meta.com/llama/license/")})
    assert where(check_json(tmp_path), "missing-license-copy")
