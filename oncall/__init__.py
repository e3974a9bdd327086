"""On-call schedules: rotation layers, restrictions, overrides and the time math behind them."""
