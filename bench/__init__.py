"""Gongzhi's benchmark at province scale: ``gongzhi bench seed`` builds the data set (see
bench/README.md)."""
