/**
 * Several models per trainer process, and several processes sharing them: a models file
 * ({@link io.genstream.trainer.fleet.ModelsFile}) lists the models and their data, and a
 * {@link io.genstream.trainer.fleet.TrainerFleet} trains those whose lease Kafka's group
 * protocol gives this process.
 */
package io.genstream.trainer.fleet;
