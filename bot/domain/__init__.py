"""Pure, typed domain logic: no I/O, no clocks, no processes."""
