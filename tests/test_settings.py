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


@pytest.mark.parametrize(
    ("assignment", "fragment"),
    [
        ("lumbar_abs_threshold=nan", "from 0 to 10"),
        ("lumbar_abs_threshold=inf", "from 0 to 10"),
        ("hinge_shallow_deg=-5", "from 0 to 180"),
        ("min_body_px=1e9", "from 1 to 2000"),
        ("rep_enter_frac=0.2", "rep_exit_frac (0.25) must be below rep_enter_frac (0.2)"),
    ],
)
def test_impossible_thresholds_are_refused_with_their_range(assignment, fragment):
    with pytest.raises(FormcheckError) as info:
        Settings().with_assignments([assignment])
    assert fragment in str(info.value) and "\n" not in str(info.value)


def test_every_setting_has_a_range_holding_its_default():
    for name, default, unit, _ in Settings.field_docs():
        lo, hi = Settings.valid_range(name)
        assert lo <= default <= hi, name
    with pytest.raises(FormcheckError, match="true/false"):
        Settings().replace(lumbar_abs_threshold=True)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"thresholds = 5\n", "must be a table"), ('lumbar_abs_threshold = 0.3 # caf\xe9\n'.encode("latin-1"), "not UTF-8")],
)
def test_toml_that_is_no_table_or_not_utf8(tmp_path, content, fragment):
    f = tmp_path / "t.toml"
    f.write_bytes(content)
    with pytest.raises(FormcheckError, match=fragment):
        Settings.from_toml(f)
