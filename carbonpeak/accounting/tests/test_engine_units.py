import numpy as np
import pytest

from carbonpeak.accounting.engine.units import UnitError, convert, factor, normalise_units, parse_unit


@pytest.mark.parametrize("src,dst,expected", [
    ("万m3", "m3", 1e4), ("亿m3", "万m3", 1e4), ("t", "kg", 1e3), ("万t", "t", 1e4),
    ("万kWh", "kWh", 1e4), ("MWh", "kWh", 1e3), ("亿kWh", "MWh", 1e5), ("GWh", "万kWh", 100.0),
    ("GJ", "MJ", 1e3), ("TJ", "GJ", 1e3), ("万GJ", "GJ", 1e4), ("kJ", "GJ", 1e-6),
    ("万tce", "tce", 1e4), ("kgce", "tce", 1e-3),
])
def test_conversion_table(src, dst, expected):
    assert factor(src, dst) == pytest.approx(expected, rel=1e-15)


def test_convert_array_and_scalar():
    np.testing.assert_allclose(convert(np.array([1.0, 2.5]), "万kWh", "MWh"), [10.0, 25.0])
    assert convert(3, "t", "kg") == 3000.0


@pytest.mark.parametrize("spelling,code", [
    ("万m³", "万m3"), ("10^4 m3", "万m3"), ("万立方米", "万m3"), ("Nm3", "m3"), ("kwh", "kWh"), ("度", "kWh"),
    ("万度", "万kWh"), ("吨", "t"), ("MWH", "MWh"), (" GJ ", "GJ"), ("吨标准煤", "tce"),
])
def test_aliases(spelling, code):
    assert parse_unit(spelling).code == code


def test_unknown_unit_names_unit_and_accepted():
    with pytest.raises(UnitError) as exc:
        parse_unit("barrel")
    assert "'barrel'" in str(exc.value) and "kWh" in str(exc.value) and "万m3" in str(exc.value)
    assert exc.value.unit == "barrel"


def test_wrong_dimension_is_an_error_not_a_conversion():
    with pytest.raises(UnitError) as exc:
        factor("kWh", "GJ")  # physically 3.6 MJ, but electricity and heat are kept apart
    assert "'kWh'" in str(exc.value)
    with pytest.raises(UnitError):
        parse_unit("t", "volume", "natural_gas")
    with pytest.raises(UnitError) as exc:
        factor("m3", "t")
    assert "accepted: g, kg, t" in str(exc.value)


def test_normalise_units_marks_unknown_empty():
    out = normalise_units(np.array(["万kWh", "lbs", "m³", ""], dtype=object))
    assert list(out) == ["万kWh", "", "m3", ""]
