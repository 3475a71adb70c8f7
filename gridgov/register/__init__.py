"""The register (台账): residents, households and enterprises, each registered in its base grid."""
