"""Users, their role assignments (each scoped to a division subtree or a department) and sign-in.

Roles grant actions on resources (`roles.PERMISSIONS`); an assignment puts a role on a scope. Together they
answer `user.grants(action, resource)`, which `gridgov.core.scope` turns into querysets.
"""
