"""Build, audit and publish the warehouse: `python -m pipeline build|rollback|validate`."""
