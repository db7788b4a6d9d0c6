# kerust classroom image: Jupyter (docker-stacks), Rust, evcxr_jupyter 0.22,
# the kerust course with its kernel, MNIST, and a warm kernel build slot, so
# that a student's first cell returns in seconds. For JupyterHub (Zero to
# JupyterHub: deploy/jupyterhub/values.yaml), or on one machine:
#
#   docker build -t kerust-classroom .          # about 15 minutes on 2 cores
#   docker run --rm -p 8888:8888 kerust-classroom    # then open kerust/notebooks/
#
# Layout (fixed absolute paths: the warm build is keyed by them):
#   /home/jovyan/kerust    the course (the repository); KERUST_ROOT
#   /opt/kerust/course     the same, copied for JupyterHub, whose home volume
#                          hides /home/jovyan: deploy/course-home.sh copies
#                          it back at every start (lifecycleHooks.postStart)
#   /opt/kerust/kernels    the kernel's build slots (KERUST_KERNEL_DIR)
#   /opt/kerust/keras      the Keras dataset cache with MNIST and Fashion-MNIST (KERAS_HOME)
#   /opt/rust              Rust and evcxr_jupyter (RUSTUP_HOME, CARGO_HOME)
FROM quay.io/jupyter/minimal-notebook:2026-05-31

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

USER 0
# A C compiler and linker for Rust. The base image's date pins the Ubuntu
# release; the archive keeps only the current build of each package, so
# apt versions are not pinned.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o "${NB_UID}" -g "${NB_GID}" /opt/rust /opt/kerust

ENV RUSTUP_HOME=/opt/rust/rustup \
    CARGO_HOME=/opt/rust/cargo \
    PATH=/opt/rust/cargo/bin:${PATH} \
    KERUST_ROOT=/home/jovyan/kerust \
    KERUST_KERNEL_DIR=/opt/kerust/kernels \
    KERAS_HOME=/opt/kerust/keras

# 1000 is the base image's NB_UID (jovyan); numeric, as a host may not resolve names.
USER 1000
WORKDIR /home/jovyan

# Rust and evcxr_jupyter (cargo install --locked): their own layers, so
# that a change to the course does not rebuild them. evcxr_jupyter's crate
# archives go; kerust's (downloaded below) stay: cargo looks for them at
# every kernel start, and would download them again.
ARG KERUST_RUST_VERSION=1.95.0
ARG EVCXR_VERSION=0.22.0
COPY --chown=${NB_UID}:${NB_GID} scripts/classroom_build.sh /tmp/classroom_build.sh
RUN /tmp/classroom_build.sh tools \
    && rm -rf "${CARGO_HOME}/registry/cache" "${CARGO_HOME}/git/db"

# Jupyter at the versions the notebooks are tested with.
COPY --chown=${NB_UID}:${NB_GID} requirements-notebooks.txt /tmp/requirements-notebooks.txt
RUN pip install --no-cache-dir -r /tmp/requirements-notebooks.txt \
    && fix-permissions "${CONDA_DIR}" \
    && fix-permissions "/home/${NB_USER}"

# The course, its kernelspec (into the image's Jupyter), MNIST and
# Fashion-MNIST, and the
# warm build slot: every notebook runs once here.
COPY --chown=${NB_UID}:${NB_GID} . ${KERUST_ROOT}
RUN KERUST_JUPYTER_PREFIX="${CONDA_DIR}" "${KERUST_ROOT}/scripts/classroom_build.sh" course \
    && rm -rf "${KERUST_ROOT}/target" \
    && cp -a "${KERUST_ROOT}" /opt/kerust/course

USER 0
RUN install -m 0755 "${KERUST_ROOT}/deploy/course-home.sh" /usr/local/bin/kerust-course-home
USER 1000

# Jupyter opens on /home/jovyan; the lessons are in kerust/notebooks.
WORKDIR /home/jovyan
