#!/usr/bin/env bash
# Production intake as code: Event Grid delivers Microsoft.Storage.BlobCreated events for the `incoming`
# container of the data account to the storage queue `blob-created` on the same account. The worker's
# BlobCreated queue trigger takes them in, and KEDA's azure-queue trigger on `blob-created` scales the worker.
# Idempotent: re-running updates the subscription in place.
#
#   RESOURCE_GROUP=rg-tributary STORAGE_ACCOUNT=sttributary k8s/eventgrid/subscribe.sh
#
# Needs the az CLI, logged in with rights on the storage account (Event Grid contributor + storage queue data
# contributor for the queue creation). Events are at-least-once and can be lost after their retries: the worker's
# SweepIncoming timer (every 10 minutes) takes in whatever an event missed.
set -euo pipefail

: "${RESOURCE_GROUP:?set RESOURCE_GROUP}"
: "${STORAGE_ACCOUNT:?set STORAGE_ACCOUNT}"
SUBSCRIPTION_NAME="${SUBSCRIPTION_NAME:-tributary-blob-created}"
QUEUE="blob-created"
POISON_QUEUE="blob-created-poison"
CONTAINER="incoming"
DEADLETTER_CONTAINER="${DEADLETTER_CONTAINER:-tributary-state}"

account_id="$(az storage account show --resource-group "$RESOURCE_GROUP" --name "$STORAGE_ACCOUNT" --query id --output tsv)"

for queue in "$QUEUE" "$POISON_QUEUE"; do
  az storage queue create --account-name "$STORAGE_ACCOUNT" --auth-mode login --name "$queue" --output none
done

# Only completed blobs in incoming: BlobCreated on /blobServices/default/containers/incoming/, and only the
# APIs that commit a whole blob (an ADLS CreateFile event comes before its data is flushed).
az eventgrid event-subscription create \
  --name "$SUBSCRIPTION_NAME" \
  --source-resource-id "$account_id" \
  --endpoint-type storagequeue \
  --endpoint "$account_id/queueservices/default/queues/$QUEUE" \
  --included-event-types Microsoft.Storage.BlobCreated \
  --subject-begins-with "/blobServices/default/containers/$CONTAINER/" \
  --advanced-filter data.api StringIn PutBlob PutBlockList CopyBlob FlushWithClose \
  --event-delivery-schema eventgridschema \
  --storage-queue-msg-ttl -1 \
  --max-delivery-attempts 30 \
  --event-ttl 1440 \
  --deadletter-endpoint "$account_id/blobServices/default/containers/$DEADLETTER_CONTAINER" \
  --output none

echo "Event Grid subscription $SUBSCRIPTION_NAME: BlobCreated in $STORAGE_ACCOUNT/$CONTAINER -> queue $QUEUE"
