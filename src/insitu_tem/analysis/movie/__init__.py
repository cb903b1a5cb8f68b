"""Movie analyses: drift, kymographs, reaction-front tracking, kinetics, film thickness, display
processing."""
