"""Pure accounting engine: numpy/pandas only, no Django imports.

Modules: `carriers` (vocabulary), `units` (quantity units), `factors` (versioned factor sets),
`records` (CSV/Excel parsing with row-level errors), `inventory` (vectorised accounting),
`lmdi` (additive LMDI-I decomposition).
"""
