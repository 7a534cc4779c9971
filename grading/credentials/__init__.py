"""Open Badges 3.0 credentials and the signed evidence packet behind them."""
