"""Legal clocks administered group-wide: the rules (how long each step may take) and the calendar."""
