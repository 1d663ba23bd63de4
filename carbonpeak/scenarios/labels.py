"""Translatable labels of the engine's levers, parameters and sectors (the engine itself has no Django)."""

from django.utils.translation import gettext_lazy as _

LEVER_LABELS = {
    "green_travel": _("Green travel share"),
    "ev": _("EV share of new cars"),
    "hydrogen_buses": _("Hydrogen fuel-cell buses"),
    "retrofit": _("Public building retrofits"),
    "ule_new_build": _("Ultra-low-energy new buildings"),
    "dc_pue": _("Data-centre PUE"),
    "pv": _("PV additions"),
    "grid": _("Grid emission factor path"),
    "drivers": _("Different drivers"),
}

PARAM_LABELS = {
    "share": _("Green travel share of trips"),
    "new_share": _("Battery-electric share of new private cars"),
    "buses": _("Fuel-cell buses in service"),
    "diesel_tce_per_bus": _("Diesel per bus replaced"),
    "h2_ratio": _("Hydrogen per unit diesel replaced"),
    "fuel": _("Carrier replaced"),
    "sector": _("Sector"),
    "area_m2": _("Retrofitted floor area per year"),
    "saving_rate": _("Energy saving rate"),
    "eui_kgce_m2": _("Energy use intensity before retrofit"),
    "share_residential": _("Ultra-low-energy share of new residential floor area"),
    "share_public": _("Ultra-low-energy share of new public floor area"),
    "new_area_residential_m2": _("New residential floor area per year"),
    "new_area_public_m2": _("New public floor area per year"),
    "eui_residential_kgce_m2": _("EUI of a standard new home"),
    "eui_public_kgce_m2": _("EUI of a standard new public building"),
    "sector_residential": _("Residential sector"),
    "sector_public": _("Public buildings sector"),
    "pue_new": _("PUE of new data centres"),
    "pue_existing": _("PUE of existing data centres"),
    "additions_mw": _("PV capacity added per year"),
    "yield_hours": _("Full-load hours"),
    "factor": _("Grid emission factor"),
}

SECTOR_LABELS = {
    "industry": _("Industry"), "construction": _("Construction"), "buildings": _("Public and commercial buildings"),
    "residential": _("Residential"), "transport": _("Transport"), "agriculture": _("Agriculture"),
    "data_centres": _("Data centres"),
}

DIST_PART_LABELS = {
    "value": "", "low": _("low"), "mode": _("most likely"), "high": _("high"), "mean": _("mean"),
    "sd": _("standard deviation"),
}
"""The fields of an uncertain value (carbonpeak.scenarios.engine.distributions.DISTS) as the editor labels them."""

UNIT_LABELS = {
    "share": _("share, 0–1"), "1/yr": _("per year"), "tce/tce": _("tce per tce"), "buses": _("buses"),
    "tce/yr": _("tce per year"), "m2/yr": _("m² per year"), "kgce/m2": _("kgce per m²"), "MW/yr": _("MW per year"),
    "h/yr": _("hours per year"), "tCO2/MWh": _("tCO2 per MWh"), "tCO2/tce": _("tCO2 per tce"),
}


def unit_label(unit: str) -> str:
    """A lever parameter's unit in the active language (吨标准煤/年 for tce/yr)."""
    return str(UNIT_LABELS.get(unit, unit))


LEVER_HELP = {
    'green_travel': _(
        'Green travel share of trips. Car trips fall by (1-share)/(1-share_base); transit energy replaces a '
        'fraction of the avoided car energy.'
    ),
    'ev': _(
        'Battery-electric share of new private cars. Fleet share follows stock turnover; petrol replaced by '
        'electricity at ev_energy_ratio.'
    ),
    'hydrogen_buses': _(
        'Hydrogen fuel-cell buses replacing diesel buses (the bus numbers are an assumption).'
    ),
    'retrofit': _(
        'Existing public building floor area retrofitted per year and its energy saving.'
    ),
    'ule_new_build': _(
        'Ultra-low-energy share of new buildings (new-build areas are assumptions).'
    ),
    'dc_pue': _(
        'PUE of new and existing data centres.'
    ),
    'pv': _(
        'Local PV capacity added per year; local generation displaces grid electricity. After the plan '
        'period the additions are an explicit assumption, 0-80 MW/yr (mode 40).'
    ),
    'grid': _(
        'Municipal grid decarbonisation (not a district measure). Starts from the base year\'s implied '
        'factor; the later points are an assumption. Replaces grid_factor_change.'
    ),
}
"""What each lever does; the plan's own targets for it are shown beside it (LEVER_ROLES), never written here."""

LEVER_ROLES = {
    "green_travel": ("green_travel_share",), "ev": ("ev_share",), "retrofit": ("building_retrofit",),
    "ule_new_build": ("ultra_low_energy_share",), "dc_pue": ("dc_pue_new", "dc_pue_existing"), "pv": ("pv_capacity",),
}
"""The indicator roles (docs/plan-file.md) whose targets a lever stands for."""


DRIVER_LABELS = {
    "gdp_growth": _("GDP growth (real)"),
    "population_growth": _("Population growth"),
    "structure_drift": _("Change of each sector's value-added share"),
    "intensity_change": _("Autonomous energy-intensity change per sector"),
    "intensity_shock": _("Year-to-year variation of energy intensity (all sectors)"),
    "ev_new_share_trend": _("Yearly rise of the EV share of new cars without new measures"),
    "electrification": _("Baseline electrification"),
    "electrification_ratio": _("Electricity per unit fossil energy replaced"),
    "grid_factor_change": _("Grid emission factor change (without the grid lever)"),
    "hydrogen_ef": _("Hydrogen emission factor"),
    "car_fuel_share": _("Share of transport car fuel used by private passenger cars"),
    "ev_stock_share_base": _("Battery-electric share of the car fleet, base year"),
    "ev_new_share_base": _("Battery-electric share of new cars, base year"),
    "ev_energy_ratio": _("EV electricity per unit petrol replaced (equivalent value)"),
    "fleet_turnover": _("Car fleet turnover (1 / lifetime)"),
    "green_share_base": _("Green travel share, base year"),
    "transit_energy_ratio": _("Transit energy per unit car energy avoided"),
    "pue_base": _("Data-centre fleet PUE, base year"),
    "pue_new_baseline": _("PUE of new data centres without the plan"),
}


def input_label(path: str) -> str:
    """A readable name for an uncertain input's JSON path ("drivers.intensity_change.industry",
    "levers.pv.additions_mw"), in the active language."""
    parts = path.split(".")
    if parts[0] == "drivers" and len(parts) > 1:
        label = str(DRIVER_LABELS.get(parts[1], parts[1]))
        return f"{label} · {SECTOR_LABELS.get(parts[2], parts[2])}" if len(parts) > 2 else label
    if parts[0] == "levers" and len(parts) > 2:
        return f"{LEVER_LABELS.get(parts[1], parts[1])} · {PARAM_LABELS.get(parts[2], parts[2])}"
    return path
