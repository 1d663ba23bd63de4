"""Energy and CO2 accounting: standard coal, scope 1/2 CO2, intensity vs GDP, dual control, LMDI."""
