"""The API's input schema: ninja's, with the rule every route shares that a number is finite.

Pydantic reads the strings "NaN" and "Infinity" into a float field by default; they pass every range check (each
comparison with NaN is false) and PostgreSQL's JSON refuses them. Literal NaN, Infinity and 1e400 in a JSON body
are refused before any route (core.middleware.UnstorableInputMiddleware).
"""
from ninja import Schema as NinjaSchema
from pydantic import ConfigDict


class Schema(NinjaSchema):
    model_config = ConfigDict(allow_inf_nan=False)
