// Package packaging holds connectmail's distribution artefacts other than
// the Dockerfile and docker-compose.yml at the repository root: the systemd
// unit (connectmail.service). Its tests exercise all of them for real: they
// build the container image and run the acceptance smoke test against the
// container and against the static release binary, bring up the compose
// recipe, run scripts/release.sh, `go install` the module at a version, and
// verify the systemd unit with systemd-analyze. Tests that need a container
// runtime or systemd-analyze skip, saying why, where there is none.
package packaging
