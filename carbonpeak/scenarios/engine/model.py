"""The sector model, vectorised over Monte Carlo draws.

Arrays are held as (sectors S, carriers C, draws D, years T) so that a cell or a sector is one contiguous
block (the public `Projection` shows them as (draws, sectors, carriers, years) views); year index 0 is
the base year.

Reference energy (no levers):

    R[s,c,t] = E0[s,c] * a[s,t] * i[s,t]

with activity index a (value added = GDP x structure share, total GDP, or population; each relative to
the base year) and intensity index i = (1 + intensity_change[s])^k. Baseline electrification moves a
share 1-(1-phi_s)^k of the sector's fossil energy to electricity at `electrification_ratio`.

Each lever then adds a delta computed from an explicit sub-model (see `_apply_levers`); every delta
is exactly 0 in the base year, and CO2 is priced cell by cell as C0 * E/E0 (the inventory's implied
factor), with grid electricity scaled by the grid factor index. Hence the base year reproduces the
inventory bit for bit.

A lever that is switched off still runs its sub-model with the *baseline* values (e.g. EV share of
new cars stays at the base-year share, new data centres get `pue_new_baseline`), so "off" means
"no new measure", not "no change".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .base import ELECTRICITY, FOSSIL, HYDROGEN, PV, BaseYear
from .distributions import latent, sample, sample_path
from .scenario import DRIVER_PARAMS, LEVERS, Scenario, correlation_pairs

DRIVER_KIND = {p.key: p.kind for p in DRIVER_PARAMS}

Params = dict[str, np.ndarray]


@dataclass
class Context:
    """What does not vary by draw: the base, the years, and where each lever acts."""

    base: BaseYear
    years: np.ndarray
    scenario: Scenario
    notes: list[str] = field(default_factory=list)
    committed: np.ndarray | None = None  # (S,C,T) tce of committed loads (approved projects), 0 in the base year

    def __post_init__(self) -> None:
        self.k = (self.years - self.years[0]).astype(float)
        self.T = len(self.years)
        b = self.base
        self.va_mask = np.array([a == "value_added" for a in b.activity])
        self.fossil = np.array([c in FOSSIL for c in b.carriers])
        self.ce = b.index(carrier=ELECTRICITY)
        self.cpv = b.index(carrier=PV)
        self.ch = b.index(carrier=HYDROGEN)
        self.e0_safe = np.where(b.energy > 0, b.energy, 1.0)  # cells priced at C0 * E/E0
        self.empty_cells = [(int(s), int(c)) for s, c in np.argwhere(b.energy == 0)]
        self.cell_factor = np.broadcast_to(b.carrier_factors(), b.energy.shape).copy()
        self.grid0 = b.grid_factor()
        lv = self.scenario.levers
        drv = self.scenario.drivers

        def sector(name: str, lever: str) -> int | None:
            idx = b.index(sector=name)
            if idx is None and lv[lever]["enabled"]:
                self.notes.append(f"lever {lever}: sector {name!r} not in the base year; lever has no effect")
            return idx

        self.st = sector(lv["ev"]["sector"], "ev")
        sector(lv["green_travel"]["sector"], "green_travel")
        self.cf = b.index(carrier=drv["car_fuel_carrier"])
        if self.cf is None and (lv["ev"]["enabled"] or lv["green_travel"]["enabled"]):
            self.notes.append(f"car fuel {drv['car_fuel_carrier']!r} not in the base year: car measures have no effect")
        self.st_bus = sector(lv["hydrogen_buses"]["sector"], "hydrogen_buses")
        self.c_bus = b.index(carrier=lv["hydrogen_buses"]["fuel"])
        self.s_retro = sector(lv["retrofit"]["sector"], "retrofit")
        self.s_ule_res = sector(lv["ule_new_build"]["sector_residential"], "ule_new_build")
        self.s_ule_pub = sector(lv["ule_new_build"]["sector_public"], "ule_new_build")
        self.s_dc = sector(lv["dc_pue"]["sector"], "dc_pue")


def _own_latents(ctx: Context, key: str, draws: int, seed: int) -> dict[str, np.ndarray]:
    """The standard-normal latents of one driver, by sampled name (a path's are its AR(1) innovations)."""
    name, kind = f"drivers.{key}", DRIVER_KIND[key]
    if kind == "path":
        return {name: latent(seed, f"{name}.ar1", (draws, ctx.T - 1))}
    if kind == "sectors":
        return {f"{name}.{s}": latent(seed, f"{name}.{s}", (draws,)) for s in ctx.base.sectors}
    return {name: latent(seed, name, (draws,))}


def correlated_latents(ctx: Context, draws: int, seed: int) -> dict[str, np.ndarray]:
    """Latents of the correlated drivers: b's own latent z_b becomes rho z_a + sqrt(1 - rho^2) z_b, so that
    corr(a, b) = rho on the normal scale (Gaussian copula; for two AR(1) paths, their yearly innovations)."""
    z: dict[str, np.ndarray] = {}
    for a, b, rho in correlation_pairs(ctx.scenario.drivers):
        (za,) = _own_latents(ctx, a, draws, seed).values()
        z[f"drivers.{a}"] = za
        for name, zb in _own_latents(ctx, b, draws, seed).items():
            z[name] = rho * za + np.sqrt(1.0 - rho * rho) * zb
    return z


def sample_parameters(ctx: Context, draws: int, seed: int) -> Params:
    """Every uncertain input as an array with a leading draw axis; names are the JSON paths."""
    sc, years, b = ctx.scenario, ctx.years, ctx.base
    drv = sc.drivers
    z = correlated_latents(ctx, draws, seed)
    p: Params = {}
    for param in DRIVER_PARAMS:
        name = f"drivers.{param.key}"
        value = drv[param.key]
        if param.kind == "spec":
            p[name] = sample(value, draws, seed, name, z=z.get(name))
        elif param.kind == "path":
            p[name] = sample_path(value, years, draws, seed, name, param.interp, innovations=z.get(name))
        elif param.kind == "sectors":
            p[name] = np.stack([sample(value.get(s, value.get("*", 0.0)), draws, seed, f"{name}.{s}",
                                       z=z.get(f"{name}.{s}")) for s in b.sectors], axis=1)
    for spec in LEVERS:
        lever = sc.levers[spec.key]
        for param in spec.params:
            name = f"levers.{spec.key}.{param.key}"
            if param.kind == "spec":
                p[name] = sample(lever[param.key], draws, seed, name)
            elif param.kind == "path":
                anchor = {
                    "levers.green_travel.share": p["drivers.green_share_base"],
                    "levers.ev.new_share": p["drivers.ev_new_share_base"],
                    "levers.dc_pue.pue_existing": p["drivers.pue_base"],
                    "levers.dc_pue.pue_new": p["drivers.pue_new_baseline"],
                    "levers.grid.factor": ctx.grid0,
                }.get(name, 0.0)  # additions, areas, shares of new build, buses: nothing new in the base year
                notes = ctx.notes if lever["enabled"] else None
                p[name] = sample_path(lever[param.key], years, draws, seed, name, param.interp, anchor=anchor,
                                      goal=param.goal, notes=notes)
    return p


def _growth_index(rates: np.ndarray) -> np.ndarray:
    """(D,T) annual rates (column 0 unused) -> index with column 0 exactly 1."""
    g = rates.copy()
    g[:, 0] = 0.0
    return np.cumprod(1.0 + g, axis=1)


@dataclass
class Reference:
    gdp: np.ndarray  # (D,T) 亿元
    population: np.ndarray  # (D,T)
    scale: np.ndarray  # (S,D,T) activity x intensity index
    energy: np.ndarray  # (S,C,D,T) reference energy after baseline electrification


def reference(ctx: Context, p: Params) -> Reference:
    b, k = ctx.base, ctx.k
    gdp_idx = _growth_index(p["drivers.gdp_growth"])
    pop_idx = _growth_index(p["drivers.population_growth"])
    D, S = gdp_idx.shape[0], len(b.sectors)
    # structure: value-added shares drift, renormalised to their base-year total
    share = b.va_share[:, None, None] * (1.0 + p["drivers.structure_drift"].T)[:, :, None] ** k
    va = ctx.va_mask
    if va.any():
        share[va] *= b.va_share[va].sum() / share[va].sum(axis=0)
    act = np.empty((S, D, ctx.T))
    for s, kind in enumerate(b.activity):
        if kind == "value_added":
            act[s] = share[s] / b.va_share[s] * gdp_idx
        elif kind == "gdp":
            act[s] = gdp_idx
        else:
            act[s] = pop_idx
    rate = p["drivers.intensity_change"].T[:, :, None] + p["drivers.intensity_shock"][None, :, :]  # (S,D,T)
    rate[:, :, 0] = 0.0
    scale = act * np.cumprod(1.0 + rate, axis=2)
    scale[:, :, 0] = 1.0
    energy = b.energy[:, :, None, None] * scale[:, None, :, :]
    # baseline electrification of fossil energy (private-car fuel excluded: cars have the EV stock model)
    switched = 1.0 - (1.0 - p["drivers.electrification"].T)[:, :, None] ** k  # (S,D,T)
    to_elec = np.zeros((S, D, ctx.T))
    for j in np.flatnonzero(ctx.fossil):
        moved = energy[:, j] * switched
        if j == ctx.cf and ctx.st is not None:
            moved[ctx.st] *= 1.0 - p["drivers.car_fuel_share"][:, None]
        energy[:, j] -= moved
        to_elec += moved
    if ctx.ce is not None:
        energy[:, ctx.ce] += to_elec * p["drivers.electrification_ratio"][:, None]
    return Reference(gdp=b.gdp * gdp_idx, population=b.population * pop_idx, scale=scale, energy=energy)


@dataclass
class SimResult:
    energy: np.ndarray  # (S,C,D,T) tce
    co2: np.ndarray  # (S,C,D,T) tCO2
    indicators: dict[str, np.ndarray]  # (D,T) lever state: EV fleet share, PV MW, fleet PUE...


def _spread(E: np.ndarray, s: int, amount: np.ndarray) -> None:
    """Remove `amount` (D,T) tce from sector s pro rata to its carrier mix, never below zero."""
    sector = E[s]  # (C,D,T)
    total = sector.sum(axis=0)
    cut = np.minimum(amount, total)
    frac = np.divide(cut, total, out=np.zeros_like(cut), where=total > 0)
    sector *= 1.0 - frac


def simulate(ctx: Context, p: Params, ref: Reference, on: Iterable[str]) -> SimResult:
    """Energy and CO2 with the levers in `on` switched on (all others at baseline values)."""
    on = frozenset(on)
    b, T = ctx.base, ctx.T
    E = ref.energy.copy()
    D = E.shape[2]
    ind: dict[str, np.ndarray] = {}
    L = lambda key: p[f"levers.{key}"]  # noqa: E731

    # -- private cars: green travel share and EV stock turnover ------------------------------------
    if ctx.st is not None and ctx.cf is not None:
        e0 = p["drivers.ev_stock_share_base"]
        q0 = p["drivers.car_fuel_share"] * b.energy[ctx.st, ctx.cf] / (1.0 - e0)  # (D,) petrol-equivalent service
        g0 = p["drivers.green_share_base"][:, None]
        if "green_travel" in on:
            s_g = (1.0 - L("green_travel.share")) / (1.0 - g0)
            s_g[:, 0] = 1.0
        else:
            s_g = np.ones((D, T))
        # without new measures the EV share of new cars follows the market trend; the plan's path is a floor
        new = np.minimum(p["drivers.ev_new_share_base"][:, None] + p["drivers.ev_new_share_trend"][:, None] * ctx.k,
                         1.0)
        if "ev" in on:
            new = np.maximum(new, L("ev.new_share"))
        tau = p["drivers.fleet_turnover"]
        ev = np.empty((D, T))
        ev[:, 0] = e0
        for t in range(1, T):
            ev[:, t] = ev[:, t - 1] + tau * (new[:, t] - ev[:, t - 1])
        q = q0[:, None] * ref.scale[ctx.st]
        E[ctx.st, ctx.cf] += q * (s_g * (1.0 - ev) - (1.0 - e0)[:, None])
        if ctx.ce is not None:
            E[ctx.st, ctx.ce] += q * (p["drivers.ev_energy_ratio"][:, None] * (s_g * ev - e0[:, None])
                                      + p["drivers.transit_energy_ratio"][:, None] * (1.0 - s_g))
        ind["ev_fleet_share"] = ev
        ind["green_travel_share"] = 1.0 - s_g * (1.0 - g0)

    # -- hydrogen buses replace diesel ----------------------------------------------------------------
    if "hydrogen_buses" in on and ctx.st_bus is not None and ctx.c_bus is not None and ctx.ch is not None:
        want = L("hydrogen_buses.buses") * L("hydrogen_buses.diesel_tce_per_bus")[:, None]
        cut = np.minimum(want, np.maximum(E[ctx.st_bus, ctx.c_bus], 0.0))
        E[ctx.st_bus, ctx.c_bus] -= cut
        E[ctx.st_bus, ctx.ch] += cut * L("hydrogen_buses.h2_ratio")[:, None]
        ind["hydrogen_buses"] = L("hydrogen_buses.buses")

    # -- building retrofits: cumulative area x EUI x saving ---------------------------------------
    if "retrofit" in on and ctx.s_retro is not None:
        area = L("retrofit.area_m2").copy()
        area[:, 0] = 0.0
        cum = np.cumsum(area, axis=1)
        _spread(E, ctx.s_retro, cum * (L("retrofit.eui_kgce_m2") * L("retrofit.saving_rate"))[:, None] / 1000.0)
        ind["retrofit_m2"] = cum

    # -- ultra-low-energy new build ----------------------------------------------------------------
    if "ule_new_build" in on:
        rate = L("ule_new_build.saving_rate")[:, None] / 1000.0
        for s, kind in ((ctx.s_ule_res, "residential"), (ctx.s_ule_pub, "public")):
            if s is None:
                continue
            area = L(f"ule_new_build.new_area_{kind}_m2") * L(f"ule_new_build.share_{kind}")
            area[:, 0] = 0.0
            cum = np.cumsum(area, axis=1)
            _spread(E, s, cum * L(f"ule_new_build.eui_{kind}_kgce_m2")[:, None] * rate)
            ind[f"ule_{kind}_m2"] = cum

    # -- data-centre PUE: existing fleet and vintage-weighted new capacity ----------------------------
    if ctx.s_dc is not None:
        pue0 = p["drivers.pue_base"][:, None]
        if "dc_pue" in on:
            pue_exist, pue_new = L("dc_pue.pue_existing"), L("dc_pue.pue_new")
        else:
            pue_exist = np.repeat(pue0, T, axis=1)
            pue_new = np.repeat(p["drivers.pue_new_baseline"][:, None], T, axis=1)
        it = ref.scale[ctx.s_dc]  # IT energy index (base = 1)
        added = np.maximum(np.diff(it, axis=1, prepend=it[:, :1]), 0.0)
        w_added = np.cumsum(added, axis=1)
        w_pue = np.divide(np.cumsum(added * pue_new, axis=1), w_added, out=pue_new.copy(), where=w_added > 0)
        fleet = (np.minimum(it, 1.0) * pue_exist + np.maximum(it - 1.0, 0.0) * w_pue) / it
        fleet[:, 0] = pue0[:, 0]
        E[ctx.s_dc] *= fleet / pue0
        ind["dc_fleet_pue"] = fleet

    np.maximum(E, 0.0, out=E)

    # -- local PV displaces grid electricity, pro rata across sectors --------------------------------
    if "pv" in on and ctx.ce is not None and ctx.cpv is not None:
        adds = L("pv.additions_mw").copy()
        adds[:, 0] = 0.0
        mw = np.cumsum(adds, axis=1)
        gen_tce = mw * L("pv.yield_hours")[:, None] * b.tce_per_mwh  # MW x h = MWh
        grid = E[:, ctx.ce]  # (S,D,T)
        total = grid.sum(axis=0)
        frac = np.divide(np.minimum(gen_tce, total), total, out=np.zeros_like(total), where=total > 0)
        moved = grid * frac
        E[:, ctx.ce] -= moved
        E[:, ctx.cpv] += moved
        ind["pv_added_mw"] = mw
        ind["pv_installed_mw"] = p["drivers.pv_installed_base"][:, None] + mw  # since the plan period's start

    # -- committed loads (approved projects): demand added as given, the same for every draw -------------
    if ctx.committed is not None:
        E += ctx.committed[:, :, None, :]

    # -- CO2: the inventory's implied factor per cell; grid electricity follows the grid path --------
    C = E / ctx.e0_safe[:, :, None, None]  # E/E0, exactly 1 in the base year
    C *= b.co2[:, :, None, None]
    for s, c in ctx.empty_cells:  # cells empty in the base year: carrier-wide (or default) factor
        f = p["drivers.hydrogen_ef"][:, None] if c == ctx.ch else ctx.cell_factor[s, c]
        np.multiply(E[s, c], f, out=C[s, c])
    if ctx.ce is not None:
        if "grid" in on:
            gi = L("grid.factor") / ctx.grid0
        else:
            gi = (1.0 + p["drivers.grid_factor_change"])[:, None] ** ctx.k[None, :]
        gi[:, 0] = 1.0
        C[:, ctx.ce] *= gi
        ind["grid_factor"] = gi * ctx.grid0
    return SimResult(energy=E, co2=C, indicators=ind)
