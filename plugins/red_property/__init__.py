"""Red property management (红色物业): compounds and their owners, property firms under
community oversight, and owners' votes counted by the Civil Code."""
