// The training settings form -> the `training` object of POST /api/runs, or a problem in words.

const IMAGES = [1000, 60000];

/** Read `form`: {training} when every field is usable, else {problem} saying what to change. */
export function readTraining(form) {
  const f = form.elements;
  const images = Number(f.train_images.value);
  if (!Number.isInteger(images) || images < IMAGES[0] || images > IMAGES[1]) {
    return {
      problem: `Training images must be a whole number from ${IMAGES[0].toLocaleString("en")} to ${IMAGES[1].toLocaleString("en")} (MNIST has 60,000 training digits).`,
    };
  }
  const seed = Number(f.seed.value);
  if (!Number.isInteger(seed) || seed < 0) return { problem: "The seed must be a whole number, 0 or more." };
  return {
    training: {
      train_images: images,
      epochs: Number(f.epochs.value),
      batch_size: Number(f.batch_size.value),
      optimizer: f.optimizer.value,
      learning_rate: f.learning_rate.value === "" ? null : Number(f.learning_rate.value),
      augment: f.augment.checked,
      seed,
    },
  };
}

/** Put a run's `training` settings back into the form (opening an older run). */
export function writeTraining(form, training) {
  for (const [name, value] of Object.entries(training || {})) {
    const field = form.elements[name];
    if (!field) continue;
    if (field.type === "checkbox") field.checked = Boolean(value);
    else if (value === null) field.value = "";
    else {
      if (field.tagName === "SELECT" && ![...field.options].some((o) => o.value === String(value))) {
        field.append(new Option(String(value)));
      }
      field.value = String(value);
    }
  }
}
