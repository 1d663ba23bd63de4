"""Load the shipped factor sets (data/factors-cn-2024.yaml) so every installation can account at once.

Later edits of the data file are applied with `carbonpeak accounting factors load`.
"""

import json

import yaml
from django.db import migrations


def load(apps, schema_editor):
    from carbonpeak.accounting.engine import factors as ef

    FactorSet = apps.get_model("accounting", "FactorSet")
    EmissionFactor = apps.get_model("accounting", "EmissionFactor")
    with open(ef.DEFAULT_FILE, encoding="utf-8") as fh:
        raw = {d["code"]: d for d in yaml.safe_load(fh)["factor_sets"]}
    for code, fs in ef.load_factor_file(ef.DEFAULT_FILE).items():
        obj, _ = FactorSet.objects.update_or_create(code=code, defaults={
            "name_zh": fs.name_zh, "name_en": fs.name_en, "version": fs.version,
            "valid_from_year": fs.valid_from_year, "valid_to_year": fs.valid_to_year, "source": fs.source,
            "data": json.loads(json.dumps(ef._plain(raw[code]), ensure_ascii=False)), "builtin": True,
        })
        EmissionFactor.objects.filter(factor_set=obj).delete()
        s = fs.summary()
        rows = []
        for r in s["carriers"]:
            rows.append(EmissionFactor(factor_set=obj, carrier=r["carrier"], kind="standard_coal",
                                       value=r["tce_per_unit"], unit=f"tce/{r['basis_unit']}", citation=r["citation_coal"]))
            if r["co2_scope1_t_per_unit"]:
                rows.append(EmissionFactor(factor_set=obj, carrier=r["carrier"], kind="co2_scope1",
                                           value=r["co2_scope1_t_per_unit"], unit=f"tCO2/{r['basis_unit']}",
                                           citation=r["citation_co2"]))
        for year, v in s["grid_co2_t_per_mwh"].items():
            rows.append(EmissionFactor(factor_set=obj, carrier="electricity", kind="co2_scope2", year=year, value=v,
                                       unit="tCO2/MWh", citation=fs.citations.get("electricity.grid_co2", "")))
        for year, v in s["reporting_kgce_per_kwh"].items():
            rows.append(EmissionFactor(factor_set=obj, carrier="electricity", kind="reporting_coal", year=year or None,
                                       value=v, unit="kgce/kWh", citation=fs.citations.get("electricity.reporting_coal", "")))
        rows.append(EmissionFactor(factor_set=obj, carrier="heat", kind="co2_scope2", value=s["heat_co2_t_per_gj"],
                                   unit="tCO2/GJ", citation=fs.citations.get("heat.co2", "")))
        rows.append(EmissionFactor(factor_set=obj, carrier="green_electricity", kind="co2_scope2",
                                   value=s["green_co2_t_per_mwh"], unit="tCO2/MWh",
                                   citation=fs.citations.get("green_electricity.co2", "")))
        EmissionFactor.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("accounting", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
