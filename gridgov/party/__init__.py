"""Party building (智慧党建): organisation chain, members, 三会一课, points, cadres, online study."""
