"""Portfolio data accuracy: validates exported holdings, valuations and history."""
