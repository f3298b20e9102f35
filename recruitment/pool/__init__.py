"""The talent pool: people who consented to be contacted about future openings, and the
search that finds them by what they can do (issue 19). Every read starts from
`selectors.pool_applications`, which applies membership first."""
