package org.ldirector.ipvs;

import java.util.Objects;

/** One change to the IPVS table. A batch of these is applied in order, pipelined, each acked on its own. */
public sealed interface IpvsOp {
    ServiceKey service();

    record AddService(VirtualService virtualService) implements IpvsOp {
        public AddService {
            Objects.requireNonNull(virtualService);
        }

        @Override
        public ServiceKey service() {
            return virtualService.key();
        }
    }

    record UpdateService(VirtualService virtualService) implements IpvsOp {
        public UpdateService {
            Objects.requireNonNull(virtualService);
        }

        @Override
        public ServiceKey service() {
            return virtualService.key();
        }
    }

    record DeleteService(ServiceKey service) implements IpvsOp {
        public DeleteService {
            Objects.requireNonNull(service);
        }
    }

    record AddDestination(ServiceKey service, Destination destination) implements IpvsOp {
        public AddDestination {
            Objects.requireNonNull(service);
            Objects.requireNonNull(destination);
        }
    }

    record UpdateDestination(ServiceKey service, Destination destination) implements IpvsOp {
        public UpdateDestination {
            Objects.requireNonNull(service);
            Objects.requireNonNull(destination);
        }
    }

    record DeleteDestination(ServiceKey service, Destination.DestinationKey destination) implements IpvsOp {
        public DeleteDestination {
            Objects.requireNonNull(service);
            Objects.requireNonNull(destination);
        }
    }
}
