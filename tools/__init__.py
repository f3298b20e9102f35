"""Developer tooling: the local process supervisor behind `make run`, `make test` and
`make bench` (devstack). Never part of the product: the image and the installed package
leave this folder out, and no product module imports it (tests/test_project.py checks)."""
