{{ reconciled_figures('financials') }}
