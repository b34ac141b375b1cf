// Package tabledef reads closeloop's DynamoDB table from the SAM template and
// creates it elsewhere, so that DynamoDB Local (make dev, make test) gets the
// same keys, indexes, stream and TTL as the deployed table: template.yaml stays
// the single definition of the table.
//
// CloudFormation short-form intrinsics (!Ref, !GetAtt, !Sub, !If, !Equals…)
// anywhere in the template are read by gopkg.in/yaml.v3 as plain values and
// ignored, except inside the table properties tabledef uses, where they are an
// error: those must be literal for a table to be created from them.
package tabledef
