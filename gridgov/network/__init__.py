"""The one network (一张网): the division tree district → town → village/community → region grid → base
grid, with polygons, and the town's departments. Everything else in gridgov hangs off this tree."""
