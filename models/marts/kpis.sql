{{ reconciled_figures('kpis') }}
