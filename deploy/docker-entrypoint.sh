#!/bin/sh
# The image's entry point: `web` (migrate, collectstatic, gunicorn), `worker` (the task worker), or any
# doluong command (`backup`, `restore ARCHIVE --yes`, `prune`, `createsuperuser`, `load_reference` ...).
set -eu
case "${1:-web}" in
  web)
    doluong migrate --noinput
    doluong collectstatic --noinput -v0
    exec gunicorn -c python:doluong.ops.gunicorn_conf ;;
  worker)
    exec doluong db_worker --no-reload -v1 ;;
  *)
    exec doluong "$@" ;;
esac
