"""Statistics and ledgers: the figures an office reports up the line, within what its reader may see."""
