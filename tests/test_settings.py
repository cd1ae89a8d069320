import pytest

from formcheck.errors import FormcheckError
from formcheck.core.settings import Settings


def test_toml_and_assignments_override_defaults(tmp_path):
    f = tmp_path / "t.toml"
    f.write_text("[thresholds]\nlumbar_abs_threshold = 0.7\nneck_change_deg = 25\n")
    s = Settings.from_toml(f).with_assignments(["lumbar-rel-threshold=0.4"])
    assert (s.lumbar_abs_threshold, s.neck_change_deg, s.lumbar_rel_threshold) == (0.7, 25.0, 0.4)
    assert s.digest() != Settings().digest()


@pytest.mark.parametrize("bad", ["nonsense=1", "lumbar_abs_threshold", "lumbar_abs_threshold=abc"])
def test_bad_assignments_are_plain_errors(bad):
    with pytest.raises(FormcheckError):
        Settings().with_assignments([bad])


def test_bad_toml(tmp_path):
    f = tmp_path / "t.toml"
    f.write_text("not = [valid")
    with pytest.raises(FormcheckError, match="not valid TOML"):
        Settings.from_toml(f)
    with pytest.raises(FormcheckError, match="cannot read"):
        Settings.from_toml(tmp_path / "missing.toml")


def test_every_setting_is_documented():
    for name, default, unit, doc in Settings.field_docs():
        assert unit and len(doc) > 15, name
