"""Reference data: minerals, regions, programme sites, GFS codes, revenue streams,
government entities and reporting periods."""
